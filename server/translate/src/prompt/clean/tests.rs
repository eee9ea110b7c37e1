use super::clean_output;

/// (raw reply, source, expected) as seen from small chat models.
#[rustfmt::skip]
const CASES: &[(&str, &str, &str)] = &[
    ("Hallo {name}, willkommen zurück!", "Hello {name}, welcome back!", "Hallo {name}, willkommen zurück!"),
    ("Here is the translation:\n\nHallo {name}, willkommen zurück!", "Hello {name}, welcome back!", "Hallo {name}, willkommen zurück!"),
    ("Sure! Here's the German translation: \"Hallo {name}, willkommen zurück!\"", "Hello {name}, welcome back!", "Hallo {name}, willkommen zurück!"),
    ("Translation: Bonjour {name}, bon retour !", "Hello {name}, welcome back!", "Bonjour {name}, bon retour !"),
    ("Translation (German): Datei speichern", "Save file", "Datei speichern"),
    ("Here is the text translated into French:\nEnregistrer le fichier", "Save file", "Enregistrer le fichier"),
    ("German: Datei speichern", "Save file", "Datei speichern"),
    ("Deutsch: Datei speichern", "Save file", "Datei speichern"),
    ("Übersetzung: Datei speichern", "Save file", "Datei speichern"),
    ("```\nÖffne <1>die Datei</1> mit `vim`.\n```", "Open <1>the file</1> with `vim`.", "Öffne <1>die Datei</1> mit `vim`."),
    ("```markdown\nÖffne die Datei.\n```\n\nThis translation keeps the meaning.", "Open the file.", "Öffne die Datei."),
    ("“Öffne die Datei.”", "Open the file.", "Öffne die Datei."),
    ("«Ouvrez le fichier.»", "Open the file.", "Ouvrez le fichier."),
    ("\"Hallo\", sagte er.", "\"Hello\", he said.", "\"Hallo\", sagte er."),
    ("Öffne die Datei.\n\nNote: I kept `vim` unchanged because it is code.", "Open the file with `vim`.", "Öffne die Datei."),
    ("Öffne die Datei. (Note: \"Datei\" means file.)", "Open the file.", "Öffne die Datei."),
    ("Öffne die Datei.\n\nI hope this helps!", "Open the file.", "Öffne die Datei."),
    ("Öffne die Datei.\nNote: this is formal German.", "Open the file.", "Öffne die Datei."),
    ("Öffne die Datei.<|im_end|>\n<|im_start|>user", "Open the file.", "Öffne die Datei."),
    ("Open the file.\nÖffne die Datei.", "Open the file.", "Öffne die Datei."),
    ("Original: Open the file.\nTranslation: Öffne die Datei.", "Open the file.", "Öffne die Datei."),
    ("Translate into German:\nÖffne die Datei.", "Open the file.", "Öffne die Datei."),
    ("Sure!\nÖffne die Datei.", "Open the file.", "Öffne die Datei."),
    // Multi-line sources keep their lines, even with blank lines between.
    ("Erste Schritte\n\nInstalliere das <1>Werkzeug</1>", "Getting started\nInstall the <1>tool</1>", "Erste Schritte\n\nInstalliere das <1>Werkzeug</1>"),
    ("Erste Schritte\nStarte es\n\nThe translation uses the informal form.", "Getting started\nRun it", "Erste Schritte\nStarte es"),
    // Things that look like chatter but are the translation stay.
    ("Hinweis: Die Datei ist groß.", "Note: the file is large.", "Hinweis: Die Datei ist groß."),
    ("Note: le fichier est volumineux.", "Note: the file is large.", "Note: le fichier est volumineux."),
    ("Schritt 1: Datei öffnen", "Step 1: open the file", "Schritt 1: Datei öffnen"),
    ("Öffne die Datei.\nÖffne die Datei.", "Open the file.", "Öffne die Datei."),
    ("Öffne die Datei.\n\nÖffne die Datei.\nÖffne die Datei.", "Open the file.", "Öffne die Datei."),
    ("Ja\nJa", "Yes\nYes", "Ja\nJa"),
    ("", "Open the file.", ""),
    ("   \n  ", "Open the file.", ""),
];

#[test]
fn realistic_replies() {
    for (raw, src, want) in CASES {
        assert_eq!(clean_output(raw, src), *want, "raw: {raw:?}");
    }
}

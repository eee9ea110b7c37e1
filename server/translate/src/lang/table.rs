//! The language table: ISO 639-1 code, English name, native names,
//! other accepted spellings (ISO 639-2/3 codes, other English names) and
//! the script each language is written in.

/// Writing systems that tell languages apart on short texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    /// Chinese characters (also used by Japanese).
    Han,
    /// Hiragana and Katakana: only Japanese.
    Kana,
    Hangul,
    Devanagari,
    Bengali,
    Thai,
    Georgian,
    Armenian,
    Tamil,
    Telugu,
    Gurmukhi,
    Gujarati,
    Kannada,
    Malayalam,
    Sinhala,
    Khmer,
    Lao,
    Myanmar,
    Ethiopic,
}

/// One row: code, English name, native names, other spellings, script.
pub(crate) struct Row {
    pub code: &'static str,
    pub name: &'static str,
    pub native: &'static [&'static str],
    pub alias: &'static [&'static str],
    pub script: Script,
}

const fn row(
    code: &'static str,
    name: &'static str,
    native: &'static [&'static str],
    alias: &'static [&'static str],
    script: Script,
) -> Row {
    Row {
        code,
        name,
        native,
        alias,
        script,
    }
}

use Script::*;

/// Every language margin can name in a prompt, most used first.
#[rustfmt::skip]
pub(crate) const LANGUAGES: &[Row] = &[
    row("en", "English", &["English"], &["eng"], Latin),
    row("zh", "Chinese", &["中文", "汉语", "漢語", "普通话", "简体中文"], &["zho", "chi", "cmn", "mandarin", "simplified chinese"], Han),
    row("es", "Spanish", &["Español", "Castellano"], &["spa", "castilian"], Latin),
    row("hi", "Hindi", &["हिन्दी", "हिंदी"], &["hin"], Devanagari),
    row("ar", "Arabic", &["العربية"], &["ara"], Arabic),
    row("pt", "Portuguese", &["Português"], &["por", "brazilian portuguese"], Latin),
    row("bn", "Bengali", &["বাংলা"], &["ben", "bangla"], Bengali),
    row("ru", "Russian", &["Русский"], &["rus"], Cyrillic),
    row("ja", "Japanese", &["日本語"], &["jpn"], Kana),
    row("de", "German", &["Deutsch"], &["deu", "ger"], Latin),
    row("fr", "French", &["Français", "Francais"], &["fra", "fre"], Latin),
    row("ko", "Korean", &["한국어", "조선말"], &["kor"], Hangul),
    row("it", "Italian", &["Italiano"], &["ita"], Latin),
    row("tr", "Turkish", &["Türkçe", "Turkce"], &["tur"], Latin),
    row("vi", "Vietnamese", &["Tiếng Việt"], &["vie"], Latin),
    row("pl", "Polish", &["Polski"], &["pol"], Latin),
    row("uk", "Ukrainian", &["Українська"], &["ukr"], Cyrillic),
    row("nl", "Dutch", &["Nederlands"], &["nld", "dut", "flemish"], Latin),
    row("fa", "Persian", &["فارسی"], &["fas", "per", "farsi"], Arabic),
    row("id", "Indonesian", &["Bahasa Indonesia"], &["ind", "in"], Latin),
    row("ms", "Malay", &["Bahasa Melayu", "Melayu"], &["msa", "may", "zsm"], Latin),
    row("th", "Thai", &["ไทย", "ภาษาไทย"], &["tha"], Thai),
    row("sv", "Swedish", &["Svenska"], &["swe"], Latin),
    row("da", "Danish", &["Dansk"], &["dan"], Latin),
    row("no", "Norwegian", &["Norsk", "Norsk bokmål", "Bokmål", "Nynorsk"], &["nor", "nb", "nn", "nob", "nno", "bokmal"], Latin),
    row("fi", "Finnish", &["Suomi"], &["fin"], Latin),
    row("cs", "Czech", &["Čeština", "Cestina"], &["ces", "cze"], Latin),
    row("sk", "Slovak", &["Slovenčina"], &["slk", "slo"], Latin),
    row("sl", "Slovenian", &["Slovenščina"], &["slv", "slovene"], Latin),
    row("hu", "Hungarian", &["Magyar"], &["hun"], Latin),
    row("ro", "Romanian", &["Română", "Romana"], &["ron", "rum", "moldavian"], Latin),
    row("el", "Greek", &["Ελληνικά"], &["ell", "gre"], Greek),
    row("bg", "Bulgarian", &["Български"], &["bul"], Cyrillic),
    row("sr", "Serbian", &["Српски", "Srpski"], &["srp"], Cyrillic),
    row("hr", "Croatian", &["Hrvatski"], &["hrv"], Latin),
    row("bs", "Bosnian", &["Bosanski"], &["bos"], Latin),
    row("mk", "Macedonian", &["Македонски"], &["mkd", "mac"], Cyrillic),
    row("be", "Belarusian", &["Беларуская"], &["bel"], Cyrillic),
    row("lt", "Lithuanian", &["Lietuvių"], &["lit"], Latin),
    row("lv", "Latvian", &["Latviešu"], &["lav"], Latin),
    row("et", "Estonian", &["Eesti"], &["est"], Latin),
    row("he", "Hebrew", &["עברית"], &["heb", "iw"], Hebrew),
    row("ca", "Catalan", &["Català"], &["cat", "valencian"], Latin),
    row("eu", "Basque", &["Euskara"], &["eus", "baq"], Latin),
    row("gl", "Galician", &["Galego"], &["glg"], Latin),
    row("ga", "Irish", &["Gaeilge"], &["gle"], Latin),
    row("cy", "Welsh", &["Cymraeg"], &["cym", "wel"], Latin),
    row("is", "Icelandic", &["Íslenska"], &["isl", "ice"], Latin),
    row("sq", "Albanian", &["Shqip"], &["sqi", "alb"], Latin),
    row("af", "Afrikaans", &["Afrikaans"], &["afr"], Latin),
    row("sw", "Swahili", &["Kiswahili"], &["swa"], Latin),
    row("tl", "Tagalog", &["Filipino", "Wikang Tagalog"], &["tgl", "fil"], Latin),
    row("eo", "Esperanto", &["Esperanto"], &["epo"], Latin),
    row("la", "Latin", &["Latina"], &["lat"], Latin),
    row("az", "Azerbaijani", &["Azərbaycanca"], &["aze"], Latin),
    row("uz", "Uzbek", &["Oʻzbekcha", "O'zbekcha"], &["uzb"], Latin),
    row("kk", "Kazakh", &["Қазақша", "Қазақ тілі"], &["kaz"], Cyrillic),
    row("ka", "Georgian", &["ქართული"], &["kat", "geo"], Georgian),
    row("hy", "Armenian", &["Հայերեն"], &["hye", "arm"], Armenian),
    row("ur", "Urdu", &["اردو"], &["urd"], Arabic),
    row("ta", "Tamil", &["தமிழ்"], &["tam"], Tamil),
    row("te", "Telugu", &["తెలుగు"], &["tel"], Telugu),
    row("mr", "Marathi", &["मराठी"], &["mar"], Devanagari),
    row("ne", "Nepali", &["नेपाली"], &["nep"], Devanagari),
    row("pa", "Punjabi", &["ਪੰਜਾਬੀ"], &["pan", "panjabi"], Gurmukhi),
    row("gu", "Gujarati", &["ગુજરાતી"], &["guj"], Gujarati),
    row("kn", "Kannada", &["ಕನ್ನಡ"], &["kan"], Kannada),
    row("ml", "Malayalam", &["മലയാളം"], &["mal"], Malayalam),
    row("si", "Sinhala", &["සිංහල"], &["sin", "sinhalese"], Sinhala),
    row("km", "Khmer", &["ខ្មែរ"], &["khm", "cambodian"], Khmer),
    row("lo", "Lao", &["ລາວ"], &["lao"], Lao),
    row("my", "Burmese", &["မြန်မာ"], &["mya", "bur", "myanmar"], Myanmar),
    row("am", "Amharic", &["አማርኛ"], &["amh"], Ethiopic),
];

/// The script of a letter, for the scripts in [`Script`]; `None` for other
/// scripts and for non-letters.
pub(crate) fn script_of(c: char) -> Option<Script> {
    let u = c as u32;
    Some(match u {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Latin,
        0x370..=0x3FF | 0x1F00..=0x1FFF => Greek,
        0x400..=0x52F => Cyrillic,
        0x531..=0x58F => Armenian,
        0x590..=0x5FF => Hebrew,
        0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Arabic,
        0x900..=0x97F => Devanagari,
        0x980..=0x9FF => Bengali,
        0xA00..=0xA7F => Gurmukhi,
        0xA80..=0xAFF => Gujarati,
        0xB80..=0xBFF => Tamil,
        0xC00..=0xC7F => Telugu,
        0xC80..=0xCFF => Kannada,
        0xD00..=0xD7F => Malayalam,
        0xD80..=0xDFF => Sinhala,
        0xE00..=0xE7F => Thai,
        0xE80..=0xEFF => Lao,
        0x1000..=0x109F => Myanmar,
        0x10A0..=0x10FF => Georgian,
        0x1200..=0x139F => Ethiopic,
        0x1780..=0x17FF => Khmer,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Kana,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Hangul,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Han,
        _ => return None,
    })
    .filter(|_| c.is_alphabetic() || (0x900..=0x17FF).contains(&u))
}

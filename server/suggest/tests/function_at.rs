//! `function_at`: the function around the cursor, its ranges and whether its
//! body is only a placeholder, in every language with a context query.

use margin_suggest::{function_at, FunctionInfo, Language};

fn at(lang: Language, src: &str) -> Option<(String, FunctionInfo)> {
    let cursor = src.find("<|>").expect("cursor marker");
    let text = src.replacen("<|>", "", 1);
    function_at(&text, lang, None, cursor).map(|f| (text, f))
}

fn todo(lang: Language, src: &str) -> bool {
    at(lang, src).expect("a function").1.body_is_empty_or_todo
}

#[test]
fn rust_todo_function() {
    let src = "use std::fmt;\n\nimpl Parser {\n    /// Parses one line.\n    #[inline]\n    pub fn parse_line(&mut self, line: &str) -> Result<(), Error> {\n        <|>todo!()\n    }\n}\n";
    let (text, f) = at(Language::Rust, src).unwrap();
    assert_eq!(f.name, "parse_line");
    assert_eq!(f.kind, "function_item");
    assert_eq!(
        &text[f.signature_range.clone()],
        "#[inline]\n    pub fn parse_line(&mut self, line: &str) -> Result<(), Error>"
    );
    assert_eq!(
        text[f.doc_range.clone().unwrap()].trim_end(),
        "/// Parses one line."
    );
    assert_eq!(
        &text[f.body_range.clone().unwrap()],
        "{\n        todo!()\n    }"
    );
    assert!(f.body_is_empty_or_todo);
    assert_eq!(f.indent, "    ");
    assert_eq!(f.body_indent, "        ");
    assert!(
        text[f.range.clone()].starts_with("/// Parses") && text[f.range.clone()].ends_with('}')
    );
}

#[test]
fn placeholder_bodies() {
    assert!(todo(Language::Rust, "fn f() {<|>}\n"));
    assert!(todo(
        Language::Rust,
        "fn f() -> u8 {\n    unimplemented!(\"later\")<|>\n}\n"
    ));
    assert!(todo(
        Language::Rust,
        "fn f() {\n    // TODO: write this<|>\n}\n"
    ));
    assert!(!todo(Language::Rust, "fn f() -> u8 {\n    1<|>\n}\n"));
    assert!(todo(
        Language::Python,
        "class A:\n    def f(self):\n        \"\"\"Doc.\"\"\"\n        pass<|>\n"
    ));
    assert!(todo(Language::Python, "def f(x: int) -> int: ...<|>\n"));
    assert!(todo(
        Language::Python,
        "def f():\n    raise NotImplementedError<|>\n"
    ));
    assert!(!todo(Language::Python, "def f():\n    return 1<|>\n"));
    assert!(todo(
        Language::TypeScript,
        "class A {\n  f(): number {\n    throw new Error(\"not implemented\");<|>\n  }\n}\n"
    ));
    assert!(todo(Language::JavaScript, "const f = (x) => {<|>\n};\n"));
    assert!(todo(
        Language::Go,
        "package p\n\nfunc F() int {\n\tpanic(\"TODO\")<|>\n}\n"
    ));
    assert!(!todo(
        Language::Go,
        "package p\n\nfunc F() int {\n\tpanic(\"bad state\")<|>\n}\n"
    ));
    assert!(todo(Language::C, "int f(void)\n{\n    /* TODO */<|>\n}\n"));
    assert!(todo(
        Language::Cpp,
        "namespace n {\nint A::f() const {\n    // TODO<|>\n}\n}\n"
    ));
}

#[test]
fn names_and_docs_per_language() {
    let (text, f) = at(Language::Python, "class A:\n    @property\n    def size(self) -> int:\n        \"\"\"The size.\"\"\"\n        return <|>1\n").unwrap();
    assert_eq!(f.name, "size");
    assert_eq!(
        &text[f.signature_range.clone()],
        "@property\n    def size(self) -> int:"
    );
    assert_eq!(&text[f.doc_range.clone().unwrap()], "\"\"\"The size.\"\"\"");
    assert_eq!(f.body_indent, "        ");

    let (text, f) = at(Language::TypeScript, "/** Adds. */\nexport function add(a: number, b: number): number {\n  return a + b;<|>\n}\n").unwrap();
    assert_eq!(f.name, "add");
    assert_eq!(&text[f.doc_range.clone().unwrap()], "/** Adds. */");
    assert!(text[f.signature_range.clone()].starts_with("export function add"));

    let (_, f) = at(
        Language::Go,
        "package p\n\n// Len is the length.\nfunc (s *Set) Len() int {\n\treturn <|>len(s.m)\n}\n",
    )
    .unwrap();
    assert_eq!(
        (
            f.name.as_str(),
            f.doc_range.is_some(),
            f.body_indent.as_str()
        ),
        ("Len", true, "\t")
    );

    let (_, f) = at(
        Language::Cpp,
        "long Cart::total() const {\n    return <|>0;\n}\n",
    )
    .unwrap();
    assert_eq!(f.name, "total");
    let (_, f) = at(
        Language::C,
        "static char *dup(const char *s)\n{\n    return <|>0;\n}\n",
    )
    .unwrap();
    assert_eq!(f.name, "dup");

    // A plain `//` comment above a Rust function is not its doc comment.
    let (_, f) = at(Language::Rust, "// helper\nfn f() {<|>}\n").unwrap();
    assert_eq!(f.doc_range, None);
}

#[test]
fn which_function() {
    // The cursor in the doc comment belongs to the function below.
    let (_, f) = at(Language::Rust, "/// Doc<|>\nfn f() {}\n").unwrap();
    assert_eq!(f.name, "f");
    // Column 0 of an indented method's signature line.
    let (_, f) = at(
        Language::Python,
        "class A:\n    def f(self):\n        pass\n<|>    def g(self):\n        pass\n",
    )
    .unwrap();
    assert_eq!(f.name, "g");
    // Nested: the innermost named function.
    let (_, f) = at(
        Language::Python,
        "def outer():\n    def inner():\n        return <|>1\n    return inner\n",
    )
    .unwrap();
    assert_eq!(f.name, "inner");
    // An indented blank line right after a Python body still belongs to it.
    let (_, f) = at(
        Language::Python,
        "def f():\n    x = 1\n    <|>\n\ndef g():\n    pass\n",
    )
    .unwrap();
    assert_eq!(f.name, "f");
    // Outside any function.
    assert!(at(Language::Rust, "use a;\n<|>\nfn f() {}\n").is_none());
    assert!(at(Language::Rust, "fn f() {}<|>\n").is_none());
    assert!(at(Language::Python, "def f():\n    x = 1\n<|>\n").is_none());
    // No context query.
    assert!(at(Language::Lua, "function f()\n  <|>\nend\n").is_none());
    assert!(at(Language::PlainText, "fn f() {<|>}\n").is_none());
}

//! Debug helper: print a file's syntax tree (with leaf text) as margin-syntax
//! parses it. Usage: `cargo run -p margin-syntax --example dump_tree -- FILE [LANG]`.

use margin_syntax::{Language, SyntaxTree};
use tree_sitter::Node;

fn print(t: &SyntaxTree, text: &str, node: Node, depth: usize, inline: bool) {
    let snippet = if node.child_count() == 0 {
        format!(" {:?}", &text[node.byte_range()])
    } else {
        String::new()
    };
    println!(
        "{:w$}{}{} {}:{}-{}:{}{}",
        "",
        if inline { "~" } else { "" },
        node.kind(),
        node.start_position().row,
        node.start_position().column,
        node.end_position().row,
        node.end_position().column,
        snippet,
        w = depth * 2
    );
    let mut c = node.walk();
    for ch in node.children(&mut c) {
        print(t, text, ch, depth + 1, inline);
    }
    if !inline {
        if let Some(it) = t.inline_tree(&node) {
            print(t, text, it.root_node(), depth + 1, true);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = std::path::Path::new(&args[1]);
    let lang = match args.get(2) {
        Some(id) => Language::from_language_id(id).expect("language id"),
        None => Language::from_path(path).expect("language from path"),
    };
    let text = std::fs::read_to_string(path).expect("read");
    let mut t = SyntaxTree::new(lang).expect("has grammar");
    t.parse(&text);
    let root = t.tree().expect("tree").root_node();
    print(&t, &text, root, 0, false);
}

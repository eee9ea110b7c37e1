; Context for code suggestions (margin-suggest). Captures:
;   @function + @name  functions, methods and prototypes (body: the `body` field)
;   @type + @name      type definitions
;   @scope             containers shown around chosen items (head + closing)
;   @import            #include lines and using-declarations
;   @reference         identifiers, counted inside the cursor's function
(function_definition
  declarator: (function_declarator declarator: (_) @name)) @function
(function_definition
  declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name))) @function
(function_definition
  declarator: (reference_declarator (function_declarator declarator: (_) @name))) @function
(declaration
  declarator: (function_declarator declarator: (identifier) @name)) @function

(class_specifier name: (_) @name body: (_)) @type
(struct_specifier name: (_) @name body: (_)) @type
(union_specifier name: (_) @name body: (_)) @type
(enum_specifier name: (_) @name body: (_)) @type
(type_definition declarator: (type_identifier) @name) @type
(alias_declaration name: (type_identifier) @name) @type

(class_specifier body: (_)) @scope
(struct_specifier body: (_)) @scope
(namespace_definition body: (_)) @scope

(preproc_include) @import
(using_declaration) @import

(identifier) @reference
(type_identifier) @reference
(field_identifier) @reference
(namespace_identifier) @reference

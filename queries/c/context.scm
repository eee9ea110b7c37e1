; Context for code suggestions (margin-suggest). Captures:
;   @function + @name  functions and prototypes (body: the `body` field)
;   @type + @name      type definitions
;   @import            #include lines
;   @reference         identifiers, counted inside the cursor's function
(function_definition
  declarator: (function_declarator declarator: (_) @name)) @function
(function_definition
  declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name))) @function
(declaration
  declarator: (function_declarator declarator: (identifier) @name)) @function

(struct_specifier name: (type_identifier) @name body: (_)) @type
(union_specifier name: (type_identifier) @name body: (_)) @type
(enum_specifier name: (type_identifier) @name body: (_)) @type
(type_definition declarator: (type_identifier) @name) @type

(preproc_include) @import

(identifier) @reference
(type_identifier) @reference
(field_identifier) @reference

; Context for code suggestions (margin-suggest). Captures:
;   @function + @name  functions and methods (body: the `body` field or @body)
;   @type + @name      type definitions
;   @scope             containers shown around chosen items (head + closing)
;   @import            imports
;   @reference         identifiers, counted inside the cursor's function
(function_declaration name: (identifier) @name) @function
(generator_function_declaration name: (identifier) @name) @function
(method_definition name: (_) @name) @function
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function body: (_) @body) (function_expression body: (_) @body)])) @function
(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function body: (_) @body) (function_expression body: (_) @body)])) @function

(class_declaration name: (_) @name) @type
(class_declaration) @scope

(import_statement) @import

(identifier) @reference
(property_identifier) @reference

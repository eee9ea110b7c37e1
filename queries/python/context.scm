; Context for code suggestions (margin-suggest). Captures:
;   @function + @name  functions and methods (body: the `body` field)
;   @type + @name      type definitions
;   @scope             containers shown around chosen items (head + closing)
;   @import            imports
;   @reference         identifiers, counted inside the cursor's function
(function_definition name: (identifier) @name) @function

(class_definition name: (identifier) @name) @type
(class_definition) @scope

(import_statement) @import
(import_from_statement) @import
(future_import_statement) @import

(identifier) @reference

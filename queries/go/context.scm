; Context for code suggestions (margin-suggest). Captures:
;   @function + @name  functions and methods (body: the `body` field)
;   @type + @name      type definitions
;   @import            imports and the package clause
;   @reference         identifiers, counted inside the cursor's function
(function_declaration name: (identifier) @name) @function
(method_declaration name: (field_identifier) @name) @function

(type_declaration (type_spec name: (type_identifier) @name)) @type
(type_declaration (type_alias name: (type_identifier) @name)) @type

(package_clause) @import
(import_declaration) @import

(identifier) @reference
(type_identifier) @reference
(field_identifier) @reference

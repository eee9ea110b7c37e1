; Context for code suggestions (margin-suggest). Captures:
;   @function + @name  functions and methods (body: the `body` field)
;   @type + @name      type definitions
;   @scope             containers shown around chosen items (head + closing)
;   @import            imports
;   @reference         identifiers, counted inside the cursor's function
(function_item name: (identifier) @name) @function
(function_signature_item name: (identifier) @name) @function

(struct_item name: (type_identifier) @name) @type
(enum_item name: (type_identifier) @name) @type
(union_item name: (type_identifier) @name) @type
(type_item name: (type_identifier) @name) @type
(trait_item name: (type_identifier) @name) @type

(impl_item) @scope
(trait_item) @scope
(mod_item body: (_)) @scope

(use_declaration) @import
(extern_crate_declaration) @import

(identifier) @reference
(type_identifier) @reference
(field_identifier) @reference

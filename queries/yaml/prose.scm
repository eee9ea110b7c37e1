; Prose regions in YAML: comments; string values as @string.
(block_mapping_pair value: (flow_node (plain_scalar (string_scalar) @string)))
(block_mapping_pair value: (flow_node (double_quote_scalar) @string))
(block_mapping_pair value: (flow_node (single_quote_scalar) @string))
(block_mapping_pair value: (block_node (block_scalar) @string))
(block_sequence_item (flow_node (plain_scalar (string_scalar) @string)))
(block_sequence_item (flow_node (double_quote_scalar) @string))

(comment) @comment

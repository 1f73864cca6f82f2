// Shared definitions for top.v (an `include of ours, so the box test covers
// Yosys finding a header next to the design).
`define WIDTH 8
`define RESET_VALUE 8'h5a

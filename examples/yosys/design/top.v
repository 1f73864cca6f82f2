// A small design of ours for the Dockerfile example: an accumulator with
// enable and synchronous reset, and a mixing output. WIDTH comes from defs.vh.
`include "defs.vh"

module top(input clk, input rst, input en, input [`WIDTH-1:0] d,
           output reg [`WIDTH-1:0] acc, output [`WIDTH-1:0] mix);
  always @(posedge clk)
    if (rst) acc <= `RESET_VALUE;
    else if (en) acc <= acc + d;
  assign mix = acc ^ {d[`WIDTH-2:0], d[`WIDTH-1]};
endmodule

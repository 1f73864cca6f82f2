// A small design of ours for the Yosys box test: an 8-bit counter with
// enable and synchronous reset, and a parity output.
module counter(input clk, input rst, input en, output reg [7:0] count, output parity);
  always @(posedge clk)
    if (rst) count <= 8'd0;
    else if (en) count <= count + 8'd1;
  assign parity = ^count;
endmodule

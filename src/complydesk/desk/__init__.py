"""The desk: complaint and after-sales tickets, from intake to resolution."""

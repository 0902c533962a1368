"""The privacy portal: customers' own pages, to see what is known about them and why, and to take it back."""

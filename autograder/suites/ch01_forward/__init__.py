"""Hidden checks for Chapter 1, the forward process."""

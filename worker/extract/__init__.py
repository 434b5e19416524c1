"""One module per supported file type; each turns a local file into counts or a JobError."""

"""What the functions and the workers share: settings, clients, keys, job records, the queue."""

"""What the functions and the workers share: models, the lifecycle, batches, the queue contract, keys."""

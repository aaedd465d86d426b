"""Self-inspection as a government website inspector would do it (`site-builder audit`)."""

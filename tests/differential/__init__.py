"""A random-program differential tester: engine against torch, statement by statement."""

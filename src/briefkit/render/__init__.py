"""Renderers: each walks the parsed tree of a composed brief and returns the output's bytes."""

"""Test support: real servers on loopback, image builders."""

class RegistryKeyError(RuntimeError):
    """The key ring is missing, malformed, or does not hold the key a value was encrypted with. Never caught to
    fall back to plaintext or ciphertext: a registry page fails rather than show the wrong thing."""

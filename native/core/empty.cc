// Placeholder translation unit for targets with no sources on this platform.

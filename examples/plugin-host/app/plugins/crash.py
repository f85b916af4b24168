raise ValueError("plugin configuration is missing")

"""The application's API for plugins. load(name) raises the audit event
app.plugin.load with the component's name before loading it: the host's
policy decides, by name, which components a plugin may load."""
import importlib.util
import os
import sys

COMPONENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "components")


def load(name):
    sys.audit("app.plugin.load", name)
    path = os.path.join(COMPONENTS, name + ".py")
    spec = importlib.util.spec_from_file_location("component_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

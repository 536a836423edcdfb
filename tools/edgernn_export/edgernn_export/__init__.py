"""edgernn_export: a trained PyTorch nn.Module -> the EdgeRnn manifest, safetensors weights and reference vectors.

    from edgernn_export import export
    export(model, "models/amp", example_input)   # models/amp.edgernn.json, .safetensors, .expected.json

No `safetensors` package is needed (safetensors_io writes the format). See tools/edgernn_export/README.md.
"""
from .exporter import ExportError, Exported, export, manifest_text
from .reference_file import expected_text
from .safetensors_io import read_safetensors, write_safetensors

__all__ = ["export", "ExportError", "Exported", "manifest_text", "expected_text", "read_safetensors", "write_safetensors"]
__version__ = "0.1.0"

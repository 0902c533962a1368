"""The demo workspace: real CDNOW purchases, plus clearly labelled synthetic web activity."""

"""imaging: person segmentation and cut-outs for the background changer and the re-posing engine.

Pure Python + NumPy/OpenCV/MediaPipe; never imports Django.
"""

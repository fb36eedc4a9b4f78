"""posekit: skeletons, OpenPose formats, renderers, pose extraction and text-to-pose.

Pure Python + NumPy (and OpenCV/Pillow for drawing). Never imports Django, so it can be
tested, benchmarked and reused on its own.
"""

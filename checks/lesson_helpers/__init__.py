"""What the lessons' checks share: the book's examples and the pieces
a lesson's check module is built from (lesson 6's network, lesson 9's autograd in `autograd/`).
Above the engine, below the lesson modules (checks/lessonNN.py); see docs/ARCHITECTURE.md.
"""

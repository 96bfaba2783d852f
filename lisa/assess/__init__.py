"""Innovation assessment: the lifecycle, the strategic triangle and the six factors.

Work in progress (issue 4): the instrument (item bank), reading answers,
combining assessors, inference and recommendations.
"""

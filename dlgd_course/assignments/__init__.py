"""The graded parts of each assignment and the library code that answers them.

One module per assignment, named after its id without the number (``02-forecasting`` →
:mod:`dlgd_course.assignments.forecasting`), defines ``PARTS``: for each part (the grade_id of
its solution cell) a :class:`dlgd_course.own_work.Part` listing the library functions that do
what the part asks (unavailable to the student's code while the part is graded) and, where a
later cell needs the part's result, the reference fallback. See :mod:`dlgd_course.own_work`.
"""

"""nbgrader configuration of the course ``dlgd``; run ``nbgrader ...`` from this folder.

Everything is built by :func:`autograder.course.course_config` (instructor-side state in
``$DLGD_COURSE_DATA``, default ``~/.local/share/dlgd-course``).
"""

from autograder.course import course_config

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
c.merge(course_config())

"""Numerical tools used by the lectures of the course book (book/lectures/)."""

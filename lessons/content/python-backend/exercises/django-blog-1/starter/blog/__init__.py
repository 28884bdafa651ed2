"""The blog app: posts, their admin, their pages and the form to write one."""

"""What each page shows, one module per page: its runs, charts, verdicts and reports. The only
layer besides the shell (sidebar, widgets) that may import Streamlit.

May import: every other package of components/.
"""

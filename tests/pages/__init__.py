"""Each page through streamlit.testing.v1.AppTest: one file per page."""

FROM python:3.12
RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt

# syntax=docker/dockerfile:1
# check=error=true
FROM python:3.12-alpine AS build
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install --prefix=/install -r requirements.txt

FROM python:3.12-alpine
RUN addgroup -S app && adduser -S -G app -u 10001 app
COPY --from=build /install /usr/local
COPY --chown=app:app --chmod=0555 src/ /app/
USER app:app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
EXPOSE 8000/tcp
HEALTHCHECK --interval=10s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
CMD ["python", "-m", "app"]

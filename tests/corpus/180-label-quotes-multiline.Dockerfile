FROM alpine
LABEL org.opencontainers.image.title="My App" \
      org.opencontainers.image.description="A \"great\" app" \
      org.opencontainers.image.licenses=MIT
LABEL "com.example.vendor"="ACME Inc" version="1.0"

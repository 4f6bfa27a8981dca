FROM alpine
COPY --from builder /a /b

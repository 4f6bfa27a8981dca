FROM alpine
LABEL description="Ünïcödé 日本語 emoji 🐳"
RUN echo 'héllo wörld' 🐳 && echo "日本語"
WORKDIR /données
USER jürgen
CMD ["echo", "ñ", "🐳"]

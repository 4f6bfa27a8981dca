FROM alpine
ENV GREETING="grüß gott" EMOJI=🐳
ENV LANG C.UTF-8
LABEL 説明="日本語"

FROM a b c d
FROM alpine AS one two

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml setup.cfg README.md ./
COPY launchwatch ./launchwatch
RUN pip install --no-cache-dir . && useradd --system launchwatch
USER launchwatch
EXPOSE 9848 9849
ENTRYPOINT ["launchwatch"]
CMD ["run", "--plan", "whatsapp-quiz", "--listen", "0.0.0.0:9848"]

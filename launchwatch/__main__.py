from launchwatch.cli import main

main()

from lectern_cli.main import main

raise SystemExit(main())

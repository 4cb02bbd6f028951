from platform_stub.server import main

raise SystemExit(main())

<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · callbox</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header>
  <strong>callbox</strong>
  % if user:
  <nav>
    % if user.account_id is not None:
    <a href="/">Account</a> <a href="/connect">Connect two</a>
    % end
    % if user.is_admin:
    <a href="/admin/modems">Modems</a> <a href="/admin/accounts">Accounts</a>
    % end
    <a href="/password">Password</a>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit" class="link">Log out {{user.name}}</button>
    </form>
  </nav>
  % end
</header>
<main>
{{!base}}
</main>
</body>
</html>

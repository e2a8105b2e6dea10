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
    <a href="/">Account</a> <a href="/connect">Connect two</a> <a href="/calls">History</a>
    <a href="/callerids">Caller IDs</a> <a href="/pin">PIN</a> <a href="/sms-help">SMS help</a>
    <a href="/api-token">API</a>
    % end
    % if user.is_admin:
    <a href="/admin/modems">Modems</a> <a href="/admin/boxes">Boxes</a> <a href="/admin/accounts">Accounts</a>
    <a href="/admin/rates">Rates</a> <a href="/admin/calls">Calls</a> <a href="/admin/sms">SMS</a>
    <a href="/admin/system">System</a> <a href="/admin/console">AT console</a> <a href="/admin/audit">Audit</a>
    <a href="/admin/webhooks">Webhooks</a> <a href="/admin/alerts">Alerts</a>
    % end
    % if get("virtual_phones", False):
    <a href="/phones">Virtual phones</a>
    % end
    <a href="/password">Password</a>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit" class="link">Log out {{user.name}}</button>
    </form>
  </nav>
  % end
</header>
% if get("outage", ""):
<p class="outage" role="alert">{{outage}}</p>
% end
% if get("open_alerts", 0):
<p class="alerts-banner" id="open-alerts" role="alert"><a href="/admin/alerts">{{open_alerts}} open alert{{'' if open_alerts == 1 else 's'}}</a></p>
% end
<main>
{{!base}}
</main>
</body>
</html>

% rebase('base.tpl', title=_('Log in'))
<h1>{{_('Log in')}}</h1>
% if demo_logins:
<section class="card" id="demo-logins">
  <p>{{_("This is the demo: its fresh logins (each shown here until it is first used).")}}</p>
  <ul>
  % whats = {"account holder": _("account holder"), "admin": _("admin")}
  % for what, login_name, password in demo_logins:
    <li>{{whats.get(what, what)}}: <strong>{{login_name}}</strong> / <code>{{password}}</code></li>
  % end
  </ul>
</section>
% end
<form method="post" action="/login" class="card">
  <input type="hidden" name="login_token" value="{{login_token}}">
  <label for="name">{{_("Account name")}}</label>
  <input id="name" name="name" value="{{name}}" autocomplete="username" required maxlength="64">
  % if errors.get('name'):
  <p class="error" id="name-error">{{errors['name']}}</p>
  % end
  <label for="password">{{_("Web password")}}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  % if errors.get('password'):
  <p class="error" id="password-error">{{errors['password']}}</p>
  % end
  <button type="submit">{{_("Log in")}}</button>
</form>

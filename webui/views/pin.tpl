% rebase('base.tpl', title=_('Phone PIN'))
<h1>{{_("Change the phone PIN")}}</h1>
<p>{{!_("The PIN is what you type on the phone keys (or send in an SMS {command}) from a number that is not authorized yet.").format(command="<code>REG</code>")}}</p>
% if done:
<p class="notice" id="done">{{_("PIN changed. Use the new one from now on.")}}</p>
% end
<form method="post" action="/pin" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="current">{{_("Your web password")}}</label>
  <input id="current" name="current" type="password" autocomplete="current-password" required>
  % if errors.get('current'):
  <p class="error" id="current-error">{{errors['current']}}</p>
  % end
  <label for="pin">{{_("New PIN (4 to 8 digits)")}}</label>
  <input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" maxlength="8" required>
  % if errors.get('pin'):
  <p class="error" id="pin-error">{{errors['pin']}}</p>
  % end
  <label for="repeat">{{_("New PIN again")}}</label>
  <input id="repeat" name="repeat" type="password" inputmode="numeric" autocomplete="off" maxlength="8" required>
  % if errors.get('repeat'):
  <p class="error" id="repeat-error">{{errors['repeat']}}</p>
  % end
  <button type="submit">{{_("Change PIN")}}</button>
</form>

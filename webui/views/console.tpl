% rebase('base.tpl', title=_('AT console'))
<h1>{{_("AT console")}}</h1>
% if not modems:
<p>{{_("This box runs no modem.")}}</p>
% else:
<form method="post" action="/admin/console" class="card" id="console-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="modem">{{_("Modem")}}</label>
  <select id="modem" name="modem">
    % for status in modems:
    <option value="{{status.name}}"{{!' selected' if status.name == modem else ''}}>{{status.name}} ({{said(status.state)}}{{', ' + _('in a call') if status.in_call else ''}})</option>
    % end
  </select>
  <label for="command">{{_("Command")}}</label>
  <input id="command" name="command" value="{{command}}" maxlength="200" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="AT+CSQ">
  <p class="hint">{{_("Read-only queries (AT+CSQ, ATI, AT+CGMI, AT+X?, AT+X=?) are sent as typed; any other command waits until you confirm it as an expert.")}}</p>
  % if error:
  <p class="error{{' setup-warning' if setup_warning else ''}}" id="command-error">{{said(error)}}</p>
  % end
  % if expert:
  <input type="hidden" name="expert" value="{{expert}}">
  % end
  % if asks_expert:
  <button type="submit" id="expert">{{_('Send it anyway: I am an expert') if setup_warning else _('Send as an expert')}}</button> <a href="/admin/console?modem={{modem}}">{{_("Cancel")}}</a>
  % elif confirm:
  <input type="hidden" name="confirm" value="1">
  <button type="submit" id="confirm">{{_("Send anyway")}}</button> <a href="/admin/console?modem={{modem}}">{{_("Cancel")}}</a>
  % else:
  <button type="submit" id="send">{{_("Send")}}</button>
  % end
</form>
% if answer:
<h2>{{_("Answer")}}</h2>
<pre id="answer">{{'\n'.join(answer)}}</pre>
% end
<h2>{{_('{modem}: lines, live').format(modem=modem)}}</h2>
<p class="hint">{{_("> sent, < answer, ! unsolicited (RING, +CLIP, ...); refreshed every second.")}}</p>
<pre id="feed" data-modem="{{modem}}" data-last="{{last}}">
% for line in lines:
{{clock(line['at'])}} {{marks[line['kind']]}} {{line['text']}}
% end
</pre>
<script src="/static/console.js"></script>
% end
